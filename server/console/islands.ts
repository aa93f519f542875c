/**
 * Server half of the island layer. A component listed in `islands/registry.ts` is, wherever a page uses it,
 * rendered inside `<napi-island data-island="Name" data-props="{json}">` so `client/hydrate.ts` can hydrate
 * it. Props travel as JSON in an attribute: the renderer escapes `"`, `&` and `<`, so no prop value can
 * close the attribute or open a tag. Islands nested in an island render as plain components of the outer one.
 */
import { type ComponentType, createContext, h, options, type VNode } from "preact";
import { useContext } from "preact/hooks";
import { islandLoaders } from "../../islands/registry.ts";

export const ISLAND_TAG = "napi-island";

// deno-lint-ignore no-explicit-any
type AnyComponent = ComponentType<any>;

const islandNames = new Map<AnyComponent, string>();
let loading: Promise<void> | undefined;

/** Resolves every island module once; pages render islands as markers only after this. */
export function loadIslands(): Promise<void> {
  loading ??= Promise.all(
    Object.entries(islandLoaders).map(async ([name, load]) => {
      islandNames.set((await load()).default as AnyComponent, name);
    }),
  ).then(() => {});
  return loading;
}

const InsideIsland = createContext(false);

/** Set while the marker creates the real component's vnode, so the hook below does not wrap it again. */
let creatingInner = false;

function inner(component: AnyComponent, props: Record<string, unknown>): VNode {
  creatingInner = true;
  try {
    return h(component, props);
  } finally {
    creatingInner = false;
  }
}

export class IslandPropsError extends Error {
  override name = "IslandPropsError";
}

/** JSON for an island's props; throws on what JSON would silently lose (functions, JSX, undefined in arrays). */
export function serializeIslandProps(name: string, props: Record<string, unknown>): string {
  return JSON.stringify(props, (key, value) => {
    if (typeof value === "function" || typeof value === "symbol" || typeof value === "bigint") {
      throw new IslandPropsError(
        `island ${name}: prop "${key}" is a ${typeof value}; islands take JSON props`,
      );
    }
    if (value && typeof value === "object" && "props" in value && value.constructor === undefined) {
      throw new IslandPropsError(`island ${name}: prop "${key}" is JSX; islands take JSON props`);
    }
    return value;
  });
}

interface MarkerProps {
  name: string;
  component: AnyComponent;
  props: Record<string, unknown>;
}

function IslandMarker({ name, component, props }: MarkerProps): VNode {
  if (useContext(InsideIsland)) return inner(component, props);
  const { children: _children, ...rest } = props;
  if (_children !== undefined) {
    throw new IslandPropsError(`island ${name}: islands take no children, pass data as props`);
  }
  return h<Record<string, unknown>>(
    ISLAND_TAG,
    { "data-island": name, "data-props": serializeIslandProps(name, rest) },
    h(InsideIsland.Provider, { value: true }, inner(component, rest)),
  );
}

const previousVnodeHook = options.vnode;
options.vnode = (vnode) => {
  if (!creatingInner && typeof vnode.type === "function") {
    const name = islandNames.get(vnode.type as AnyComponent);
    if (name) {
      const { ref: _ref, ...props } = vnode.props as Record<string, unknown>;
      const marker = vnode as unknown as { type: unknown; props: MarkerProps };
      marker.props = { name, component: vnode.type as AnyComponent, props };
      marker.type = IslandMarker;
    }
  }
  previousVnodeHook?.(vnode);
};
