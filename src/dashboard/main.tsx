// The dashboard: one page that shows the view of its path (executions, one execution, queues and
// workers, versions), with a header to move between them and to jump to an execution by id.

import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { adoptTokenFromUrl, api, AUTH_NEEDED, setToken } from "./api.js";
import { useLiveStatus } from "./live.js";
import { ExecutionPage } from "./pages/execution.js";
import { ExecutionsPage } from "./pages/executions.js";
import { QueuesPage } from "./pages/queues.js";
import { SchedulesPage } from "./pages/schedules.js";
import { VersionsPage } from "./pages/versions.js";
import { navigate, onLinkClick, useRoute, type Route } from "./router.js";
import "./styles.css";

function App() {
  const route = useRoute();
  const [needsToken, setNeedsToken] = useState(false);
  useEffect(() => {
    const ask = () => setNeedsToken(true);
    window.addEventListener(AUTH_NEEDED, ask);
    return () => window.removeEventListener(AUTH_NEEDED, ask);
  }, []);
  useEffect(() => {
    document.title = `${titleOf(route)} · Rhythm`;
  }, [route]);
  return (
    <div class="app" onClick={onLinkClick}>
      <Header route={route} />
      <main class="main">{needsToken ? <TokenGate /> : <View route={route} />}</main>
    </div>
  );
}

function titleOf(route: Route): string {
  switch (route.view) {
    case "executions":
      return "Executions";
    case "execution":
      return `Execution ${route.id.slice(0, 8)}`;
    case "queues":
      return "Queues & workers";
    case "schedules":
      return "Schedules";
    case "versions":
      return route.name ? `${route.name} versions` : "Versions";
    default:
      return "Not found";
  }
}

function View({ route }: { route: Route }) {
  switch (route.view) {
    case "executions":
      return <ExecutionsPage query={route.query} />;
    case "execution":
      return <ExecutionPage key={route.id} id={route.id} />;
    case "queues":
      return <QueuesPage />;
    case "schedules":
      return <SchedulesPage />;
    case "versions":
      return <VersionsPage name={route.name} query={route.query} />;
    default:
      return (
        <div class="empty">
          <div class="empty-title">No such page</div>
          <div class="empty-body">
            <a href="/">Go to executions</a>
          </div>
        </div>
      );
  }
}

function Header({ route }: { route: Route }) {
  const live = useLiveStatus();
  const [search, setSearch] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const current = route.view === "execution" ? "executions" : route.view;
  const go = async (e: Event) => {
    e.preventDefault();
    const text = search.trim();
    setProblem(null);
    if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) {
      navigate(`/executions/${text.toLowerCase()}`);
      setSearch("");
      return;
    }
    if (!/^[0-9a-f-]{4,36}$/i.test(text)) {
      setProblem("Type at least 4 characters of an execution id");
      return;
    }
    try {
      const page = await api.list({ idPrefix: text, limit: "2" });
      if (page.executions.length === 1) {
        navigate(`/executions/${page.executions[0].id}`);
        setSearch("");
      } else if (page.executions.length === 0) setProblem(`No execution id starts with ${text}`);
      else navigate(`/?idPrefix=${encodeURIComponent(text)}`);
    } catch (err) {
      setProblem((err as Error).message);
    }
  };
  return (
    <header class="topbar">
      <div class="topbar-inner">
        <a class="brand" href="/">
          <span class="brand-mark" aria-hidden="true" />
          Rhythm
        </a>
        <nav class="nav">
          <a href="/" class={current === "executions" ? "active" : ""}>
            Executions
          </a>
          <a href="/queues" class={current === "queues" ? "active" : ""}>
            Queues & workers
          </a>
          <a href="/schedules" class={current === "schedules" ? "active" : ""}>
            Schedules
          </a>
          <a href="/versions" class={current === "versions" ? "active" : ""}>
            Versions
          </a>
        </nav>
        <form class="search" onSubmit={go} role="search">
          <input
            type="search"
            placeholder="Go to execution id…"
            aria-label="Execution id"
            value={search}
            onInput={(e) => setSearch((e.target as HTMLInputElement).value)}
            spellcheck={false}
          />
          {problem && <div class="search-problem">{problem}</div>}
        </form>
        <span
          class={`live live-${live}`}
          title={live === "live" ? "Updates arrive as they happen" : "Reconnecting to the server"}
        >
          <span class="dot" />
          {live === "live" ? "Live" : live === "connecting" ? "Connecting" : "Offline"}
        </span>
      </div>
    </header>
  );
}

function TokenGate() {
  const [token, set] = useState("");
  return (
    <div class="gate">
      <h1>This server needs a token</h1>
      <p>
        It was started with <code>RHYTHM_API_TOKEN</code>. Paste that token to continue; it is kept for this tab only.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setToken(token.trim());
          location.reload();
        }}
      >
        <input
          type="password"
          value={token}
          onInput={(e) => set((e.target as HTMLInputElement).value)}
          placeholder="Token"
          autoFocus
        />
        <button class="button primary" type="submit">
          Continue
        </button>
      </form>
    </div>
  );
}

adoptTokenFromUrl();
render(<App />, document.getElementById("app")!);
