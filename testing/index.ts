/**
 * @module `sundial/testing`: the test kit for a user's own workflows (issue #12). A placeholder entry
 * of the package's `exports` until the kit lands here; it exports nothing yet.
 */
export {};
