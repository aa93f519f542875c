/**
 * Dotted paths into parsed JSON for param overrides, as New API's gjson/sjson paths are written:
 * `messages.0.content`, `stream_options.include_usage`, negative indexes from the end (`messages.-1`),
 * and `\.` for a dot inside a key.
 */

export type Json = unknown;
type Container = Record<string, Json> | Json[];

export function splitPath(path: string): string[] {
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < path.length; i++) {
    const c = path[i];
    if (c === "\\" && i + 1 < path.length) cur += path[++i];
    else if (c === ".") {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}

function index(container: Json[], seg: string): number | undefined {
  if (!/^-?\d+$/.test(seg)) return undefined;
  const n = Number(seg);
  return n < 0 ? container.length + n : n;
}

function child(node: Json, seg: string): Json {
  if (Array.isArray(node)) {
    const i = index(node, seg);
    return i === undefined ? undefined : node[i];
  }
  if (node && typeof node === "object" && Object.hasOwn(node, seg)) {
    return (node as Record<string, Json>)[seg];
  }
  return undefined;
}

export function hasPath(root: Json, path: string): boolean {
  const parts = splitPath(path);
  let node = root;
  for (let i = 0; i < parts.length; i++) {
    const seg = parts[i];
    if (Array.isArray(node)) {
      const k = index(node, seg);
      if (k === undefined || k < 0 || k >= node.length) return false;
      node = node[k];
    } else if (node && typeof node === "object" && Object.hasOwn(node, seg)) {
      node = (node as Record<string, Json>)[seg];
    } else return false;
  }
  return true;
}

export function getPath(root: Json, path: string): Json {
  let node = root;
  for (const seg of splitPath(path)) node = child(node, seg);
  return node;
}

/** The container holding the last segment, creating objects (or arrays for numeric segments) on the way. */
function parentOf(root: Container, parts: string[], create: boolean): Container | undefined {
  let node: Json = root;
  for (let i = 0; i < parts.length - 1; i++) {
    let next = child(node, parts[i]);
    if (next === undefined || next === null || typeof next !== "object") {
      if (!create) return undefined;
      next = /^\d+$/.test(parts[i + 1]) ? [] : {};
      if (!assign(node as Container, parts[i], next)) return undefined;
    }
    node = next;
  }
  return node as Container;
}

function assign(node: Container, seg: string, value: Json): boolean {
  if (Array.isArray(node)) {
    const i = index(node, seg);
    if (i === undefined || i < 0 || i > node.length) return false;
    node[i] = value;
    return true;
  }
  if (!node || typeof node !== "object") return false;
  node[seg] = value;
  return true;
}

/** Sets the value at `path`; false when the path runs through a non-container or an array gap. */
export function setPath(root: Container, path: string, value: Json): boolean {
  const parts = splitPath(path);
  const parent = parentOf(root, parts, true);
  return parent !== undefined && assign(parent, parts[parts.length - 1], value);
}

export function deletePath(root: Container, path: string): boolean {
  const parts = splitPath(path);
  const parent = parentOf(root, parts, false);
  const last = parts[parts.length - 1];
  if (Array.isArray(parent)) {
    const i = index(parent, last);
    if (i === undefined || i < 0 || i >= parent.length) return false;
    parent.splice(i, 1);
    return true;
  }
  if (parent && typeof parent === "object" && Object.hasOwn(parent, last)) {
    delete (parent as Record<string, Json>)[last];
    return true;
  }
  return false;
}
