/**
 * Every bad input gets a clear 4xx and changes nothing, probed over every operation of the OpenAPI
 * document (hostile-input-suite.ts): the first of its two halves.
 */
import { hostileInputSuite } from "./hostile-input-suite";

hostileInputSuite(0, 2);
