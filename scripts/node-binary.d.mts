/** See node-binary.mjs. */
export function nodeBinary(root: string, major: string | number, log?: (line: string) => void): string;
