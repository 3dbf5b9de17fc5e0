// The one piece of node:vm that client-script.test.ts uses. The project's types are workerd's, not
// Node's, so this declares it rather than pulling every Node global into the typecheck.
declare module "node:vm" {
  export class Script {
    constructor(code: string, options?: { filename?: string });
  }
}
