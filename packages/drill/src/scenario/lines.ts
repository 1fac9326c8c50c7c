import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

/**
 * The line of every key and list item in a YAML text, by the path the scenario's
 * messages use (`scenario.faults[0].cut`), so a refusal can say where to look.
 */
export function yamlLines(text: string, root: string): ReadonlyMap<string, number> {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter });
  const lines = new Map<string, number>();
  const visit = (node: unknown, path: string): void => {
    if (isMap(node)) {
      for (const item of node.items) {
        const key = isScalar(item.key) ? String(item.key.value) : undefined;
        const offset = (item.key as Node | null)?.range?.[0];
        if (key === undefined) continue;
        if (offset !== undefined) lines.set(`${path}.${key}`, counter.linePos(offset).line);
        visit(item.value, `${path}.${key}`);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const offset = (item as Node | null)?.range?.[0];
        if (offset !== undefined) lines.set(`${path}[${index}]`, counter.linePos(offset).line);
        visit(item, `${path}[${index}]`);
      });
    }
  };
  visit(document.contents, root);
  return lines;
}
