// Entry bundled for Chromium by tests/e2e/vector-suite.test.ts.
import { runVectorSuite, type FormatVectors, type PublishedVectors } from "./vector-suite.js";
import published from "../vectors/published.json";
import formats from "../vectors/formats.json";

(globalThis as unknown as { runVectors: () => unknown }).runVectors = () =>
  runVectorSuite(crypto.subtle as never, published as PublishedVectors, formats as FormatVectors);
