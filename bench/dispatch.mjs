/**
 * @module Every client request of `npm run bench` (the engine's and Cloudflare Workflows') goes
 * through `dispatch`: `mf.dispatchFetch`, retried when workerd closed the connection before
 * answering (`UND_ERR_SOCKET`). Under a burst on a loaded machine, workerd's HTTP server may not
 * read a new connection's request within its header timeout (≈ 15 s) and closes it: the request
 * never reached a Worker, so sending it again is safe, and it is what a client would do. The time
 * lost stays in the measured latency; `retries()` counts them so stderr can say so.
 */

let count = 0;

export const retries = () => count;

export async function dispatch(mf, url, init) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await mf.dispatchFetch(url, init);
    } catch (err) {
      if (attempt >= 2 || err?.cause?.code !== "UND_ERR_SOCKET") throw err;
      count++;
    }
  }
}
