/**
 * @module `sundial/testing`: the test kit for a user's own workflows (issue #12, branch testkit).
 * A placeholder entry of the package's `exports` until the kit lands here; it exports nothing yet.
 */
export {};
