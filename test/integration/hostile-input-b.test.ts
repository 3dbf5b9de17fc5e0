/**
 * Every bad input gets a clear 4xx and changes nothing, probed over every operation of the OpenAPI
 * document (hostile-input-suite.ts): the second of its two halves.
 */
import { hostileInputSuite } from "./hostile-input-suite";

hostileInputSuite(1, 2);
