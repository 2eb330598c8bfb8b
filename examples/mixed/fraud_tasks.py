"""The Python task of the mixed example: python -m rhythm_flow worker --tasks examples/mixed/fraud_tasks.py --queues py"""

from typing import Any

from rhythm_flow import TaskContext, task


@task("score-fraud", retries=2)
def score_fraud(inputs: dict[str, Any], ctx: TaskContext) -> dict[str, Any]:
    reasons = []
    if inputs["email"].endswith("@example.invalid"):
        reasons.append("disposable email")
    if inputs["totalCents"] > 10_000:
        reasons.append("large order")
    ctx.log(f"scored {inputs['email']}: {reasons or 'nothing unusual'}")
    return {"score": round(0.45 * len(reasons), 2), "reasons": reasons}
