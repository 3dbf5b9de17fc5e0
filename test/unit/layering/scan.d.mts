export declare const ROOT: string;
export declare function specifiers(text: string): string[];
export declare function target(file: string, spec: string): string | undefined;
export declare function importsOf(dir: string): Array<{ file: string; to: string }>;
