// Task handler of the fan-out example: "resizing" fails for URLs that contain "corrupt".

export default {
  resize: {
    handler: async (i: { url: string; width: number }) => {
      if (i.url.includes("corrupt")) throw new Error(`cannot decode ${i.url}`);
      return { url: i.url.replace(/(\.\w+)?$/, `-${i.width}$1`) };
    },
    options: { retries: 1, concurrency: 4 },
  },
};
