import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';

/** Scalars whose values the edge must check. */
export type LeafKind = 'String' | 'ID' | 'Credits' | 'JSON';

/** One place a client can put a checked value: a leaf of an argument of a root field. */
export interface InputPosition {
  operation: 'query' | 'mutation' | 'subscription';
  field: GraphQLField<unknown, unknown>;
  /** Argument name, then input field names down to the leaf. */
  path: string[];
  kind: LeafKind;
  /** The name of the argument or input field holding the leaf (limits are by name). */
  name: string;
  /** The leaf sits in a list: the bad value is sent as its only item. */
  inList: boolean;
}

const LEAF_KINDS = new Set<string>(['String', 'ID', 'Credits', 'JSON', 'JSONObject']);

/**
 * Every String, ID, Credits and JSON leaf of every argument of every root field, read from the
 * schema itself: an argument or input field added later is walked without changing any test.
 */
export function inputPositions(schema: GraphQLSchema): InputPosition[] {
  const out: InputPosition[] = [];
  const roots = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ] as const;
  for (const [operation, root] of roots) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      for (const arg of field.args) walk(arg.type, [arg.name], false, new Set(), (path, kind, inList) => out.push({ operation, field, path, kind, name: path[path.length - 1], inList }));
    }
  }
  return out;
}

function walk(type: GraphQLInputType, path: string[], inList: boolean, seen: Set<string>, emit: (path: string[], kind: LeafKind, inList: boolean) => void): void {
  if (isNonNullType(type)) return walk(type.ofType, path, inList, seen, emit);
  if (isListType(type)) return walk(type.ofType, path, true, seen, emit);
  if (isInputObjectType(type)) {
    if (seen.has(type.name)) return;
    for (const f of Object.values(type.getFields())) walk(f.type, [...path, f.name], inList, new Set([...seen, type.name]), emit);
    return;
  }
  if (isScalarType(type) && LEAF_KINDS.has(type.name)) emit(path, type.name === 'JSONObject' ? 'JSON' : (type.name as LeafKind), inList);
}

/** A valid value of a type, filling only what is required (plus nothing else). */
export function fillerOf(type: GraphQLInputType, name: string): unknown {
  if (isNonNullType(type)) return fillerOf(type.ofType, name);
  if (isListType(type)) return [fillerOf(type.ofType, name)];
  if (isInputObjectType(type)) {
    const v: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) if (isNonNullType(f.type) && f.defaultValue === undefined) v[f.name] = fillerOf(f.type, f.name);
    return v;
  }
  if (isEnumType(type)) return type.getValues()[0].value;
  switch (type.name) {
    case 'String':
      return ({ email: 'filler@test.dev', password: 'Sup3rSecret!', newPassword: 'N3wSecret!!', currentPassword: 'Sup3rSecret!', timezone: 'UTC', afterVersion: '0', feature: 'caption' } as Record<string, string>)[name] ?? 'filler';
    case 'ID':
      return '00000000-0000-4000-8000-000000000000';
    case 'Credits':
      return '1';
    case 'Int':
    case 'Float':
      return 1;
    case 'Boolean':
      return true;
    case 'DateTime':
      return new Date().toISOString();
    default:
      return {};
  }
}

/**
 * The operation and variables that put `bad` at `position` and valid fillers everywhere else a
 * value is required: `mutation($a0: T0!, ...) { field(arg0: $a0, ...) { __typename } }`.
 */
export function operationFor(position: InputPosition, bad: unknown): { query: string; variables: Record<string, unknown> } {
  const { field, path } = position;
  const used = field.args.filter((a) => a.name === path[0] || (isNonNullType(a.type) && a.defaultValue === undefined));
  const variables: Record<string, unknown> = {};
  used.forEach((a, i) => (variables[`a${i}`] = a.name === path[0] ? placed(a, path.slice(1), position.inList ? [bad] : bad) : fillerOf(a.type, a.name)));
  const decls = used.map((a, i) => `$a${i}: ${String(a.type)}`).join(', ');
  const args = used.map((a, i) => `${a.name}: $a${i}`).join(', ');
  const selection = isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
  return { query: `${position.operation}(${decls}) { ${field.name}(${args})${selection} }`, variables };
}

/** The argument's filler with `leaf` set at `rest` (input field names below the argument). */
function placed(arg: GraphQLArgument, rest: string[], leaf: unknown): unknown {
  if (rest.length === 0) return leaf;
  const root = fillerOf(arg.type, arg.name);
  let target = (Array.isArray(root) ? root[0] : root) as Record<string, unknown>;
  let type = getNamedType(arg.type);
  for (let i = 0; i < rest.length - 1; i++) {
    if (!isInputObjectType(type)) break;
    const f = type.getFields()[rest[i]];
    target[rest[i]] ??= isListType(isNonNullType(f.type) ? f.type.ofType : f.type) ? [fillerOf(getNamedType(f.type) as GraphQLInputType, f.name)] : fillerOf(getNamedType(f.type) as GraphQLInputType, f.name);
    const next = target[rest[i]];
    target = (Array.isArray(next) ? next[0] : next) as Record<string, unknown>;
    type = getNamedType(f.type);
  }
  target[rest[rest.length - 1]] = leaf;
  return root;
}
