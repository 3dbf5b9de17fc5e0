export declare const ROOT: string;
export declare function specifiers(text: string): string[];
export declare function target(file: string, spec: string): string | undefined;
export declare function importsOf(dir: string): Array<{ file: string; to: string }>;
export declare function packageImportsOf(dir: string): Array<{ file: string; spec: string }>;
export declare function lineCounts(dir: string): Array<{ file: string; lines: number }>;
export declare function sourceText(file: string): string;
