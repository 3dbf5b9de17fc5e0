export declare function engineSqlLiterals(): Array<{ file: string; sql: string }>;
