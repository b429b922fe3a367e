/**
 * The library in a real browser: `mod.ts` bundled with
 * `deno bundle --platform browser`, served from 127.0.0.1 with the example
 * components, and a page loaded in Debian's headless `chromium` that
 * instantiates them from bytes and from a stream, calls them, and posts
 * what it got back to the test. A type check against the DOM libraries
 * cannot see an API a browser lacks (Chromium has no
 * `ReadableStream.from`); this can.
 *
 * Skipped, with one line, when `chromium` is not installed (CI installs it).
 *
 * @module
 */

import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);
const CHROMIUM = "chromium";

async function found(cmd: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(cmd, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return success;
  } catch {
    return false;
  }
}

/** Remove a directory the killed browser may still write its last profile files into. */
async function removeSoon(dir: string): Promise<void> {
  for (let i = 0; i < 20; i++) {
    try {
      return await Deno.remove(dir, { recursive: true });
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  await Deno.remove(dir, { recursive: true });
}

/** The page: every call it makes, and what came back (or the error), posted to `/report`. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>wasmfuse in a browser</title>
<script type="module">
const out = {};
const report = () => fetch("/report", { method: "POST", body: JSON.stringify(out) });
try {
  const { compile, instantiate, fuse, ComponentError, Trap } = await import("/wasmfuse.js");
  const bytes = async (path) => new Uint8Array(await (await fetch(path)).arrayBuffer());

  // from bytes: two components composed, calls through fused adapters inside wasm
  const points = await instantiate(await bytes("/examples/points.wasm"));
  out.points = points.exports.run();

  // from a stream: the response body as it arrives
  const values = await instantiate((await fetch("/examples/values.wasm")).body);
  out.add = values.exports.add(1, 2);
  out.greet = values.exports.greet("browser");
  out.quadrant = values.exports.quadrant({ x: -1, y: 2 });

  // compile once, instantiate twice; resources as classes, host classes for imported ones
  class Blob {
    constructor(n) { this.n = n; }
    size() { return this.n; }
  }
  const counter = await compile(await bytes("/examples/counter.wasm"));
  const c = counter.instantiate({ host: { Blob } });
  const k = new c.exports.Counter(5);
  k.add(2);
  out.counter = k.get();
  k[Symbol.dispose]();
  out.dropped = c.exports.dropped();
  out.blobSize = c.exports["blob-size"](42);
  out.second = counter.instantiate({ host: { Blob } }).exports.dropped();

  // the pipeline alone, and a trap
  const t = await fuse(await bytes("/examples/composed.wasm"));
  out.adapters = t.dfg.adapters.length;
  out.modules = t.adapterModules.length;
  out.trapIsTrap = Trap.fromCode(5) instanceof Error;
  out.componentError = new ComponentError("x").payload;

  // an async host function (JSPI): the composed component waits for a timer through its fused adapter
  const sleepy = await instantiate(await bytes("/async.wasm"), {
    "sleep-add": async (x) => {
      await new Promise((r) => setTimeout(r, 5));
      return x + 1;
    },
  }, { async: true });
  out.asyncRun = await Promise.all([sleepy.exports.run(4), sleepy.exports.run(5)]);
} catch (e) {
  out.error = String(e && e.stack || e);
}
await report();
</script>`;

if (!(await found(CHROMIUM))) {
  Deno.test({
    name: "browser: skipped, chromium not found (apt-get install -y chromium)",
    ignore: true,
    fn() {},
  });
} else {
  Deno.test("browser: the bundled library instantiates and calls the examples in headless Chromium", async () => {
    const tmp = await Deno.makeTempDir({ prefix: "wasmfuse-browser-" });
    const bundle = `${tmp}/wasmfuse.js`;
    const built = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--platform", "browser", "-o", bundle, new URL("mod.ts", ROOT).pathname],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(built.code, 0, new TextDecoder().decode(built.stderr));

    const { wat } = await import("../_wat.ts");
    const { COMPOSED } = await import("../runtime/_jspi.ts");
    const asyncComponent = new Uint8Array(await wat(COMPOSED));

    let resolve!: (v: Record<string, unknown>) => void;
    const reported = new Promise<Record<string, unknown>>((r) => resolve = r);
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      const path = new URL(req.url).pathname;
      if (req.method === "POST" && path === "/report") {
        resolve(await req.json());
        return new Response("ok");
      }
      if (path === "/") return new Response(PAGE, { headers: { "content-type": "text/html" } });
      if (path === "/wasmfuse.js") {
        return new Response(await Deno.readFile(bundle), {
          headers: { "content-type": "text/javascript" },
        });
      }
      if (path === "/async.wasm") {
        return new Response(asyncComponent, { headers: { "content-type": "application/wasm" } });
      }
      if (/^\/examples\/[a-z]+\.wasm$/.test(path)) {
        return new Response(await Deno.readFile(new URL(`.${path}`, ROOT)), {
          headers: { "content-type": "application/wasm" },
        });
      }
      return new Response("not found", { status: 404 });
    });
    const browser = new Deno.Command(CHROMIUM, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${tmp}/profile`,
        `http://127.0.0.1:${server.addr.port}/`,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no report from the page in 60 s")), 60_000);
      });
      const out = await Promise.race([reported, timeout]);
      assert.equal(out.error, undefined, String(out.error));
      assert.deepEqual(out, {
        points: 15,
        add: 3,
        greet: "hello, browser",
        quadrant: "nw",
        counter: 7,
        dropped: 1,
        blobSize: 42,
        second: 0,
        adapters: 1,
        modules: 1,
        trapIsTrap: true,
        componentError: "x",
        asyncRun: [51, 61],
      });
    } finally {
      clearTimeout(timer);
      browser.kill("SIGKILL");
      await browser.status;
      await server.shutdown();
      await removeSoon(tmp);
    }
  });
}
