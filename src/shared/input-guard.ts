import {
  defaultFieldResolver,
  GraphQLID,
  GraphQLString,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { badInput } from './errors';
import { isStorableText } from './storable-text';

/**
 * Text, lists and JSON are validated at the edge, once, for every argument of the schema.
 *
 * `guardInputs` reads the argument definitions of every field of the built schema and wraps the
 * field's resolver (or, for subscriptions, its `subscribe`) with a check of its coerced
 * arguments, walking nested input objects and lists. A new argument or input field is covered
 * the moment it is added to a type. The checks, with the limits below (README, "Input limits"):
 * - every String and ID: no U+0000 (PostgreSQL refuses it in text) and no lone UTF-16
 *   surrogate (it cannot be encoded as UTF-8 and would be stored as U+FFFD), and a maximum length;
 * - fields named `email` additionally refuse control, bidirectional and invisible formatting
 *   characters (an address must read the same to a person and to a mail server);
 * - every list: at most MAX_LIST_ITEMS items;
 * - every JSON value (e.g. `metadata`): the text rules on its keys and strings, and at most
 *   JSON_LIMITS depth, keys and serialised bytes, measured by an iterative walk before anything
 *   serialises it (a deeply nested array overflowed JSON.stringify's stack).
 * A refusal is BAD_USER_INPUT naming the argument path, never echoing the value.
 * Credits are checked by their scalar (money.ts), enums, numbers and dates by graphql-js.
 */

/** Longest value (in UTF-16 code units) of a String argument or input field, by its name. */
export const TEXT_LIMITS: Readonly<Record<string, number>> = {
  email: 254,
  password: 256,
  currentPassword: 256,
  newPassword: 256,
  refreshToken: 256,
  name: 100,
  handle: 100,
  platforms: 40,
  platform: 200,
  automationId: 200,
  provider: 200,
  feature: 100,
  idempotencyKey: 255,
  reason: 500,
  timezone: 64,
  afterVersion: 20,
  after: 200,
  before: 200,
  description: 500,
  url: 2048,
};
/** Any other String. */
export const DEFAULT_TEXT_MAX = 1000;
/** Any ID (UUIDs are 36; catalog ids such as "pack_25" are shorter). */
export const ID_MAX = 100;
/** Items of any list argument. */
export const MAX_LIST_ITEMS = 1000;
/** Limits of every JSON argument (metadata): nesting depth, object keys in total, serialised UTF-8 bytes, key length. */
export const JSON_LIMITS = { maxDepth: 8, maxKeys: 100, maxBytes: 4096, maxKeyLength: 100 } as const;

/**
 * C0/C1 controls, DEL, bidirectional marks/overrides/isolates and invisible formatting characters:
 * refused in every `email` argument (log-in and look-ups too). Sign-up refuses every format
 * character besides (AuthService.signUp); this set stays as it was, so no account that signed up
 * before can be locked out of logging in.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_IN_EMAIL = /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/;

type Check = (value: unknown, path: string) => void;

export function checkText(value: string, path: string, max: number, email = false): void {
  if (!isStorableText(value)) throw badInput(`${path} must be valid Unicode text without NUL characters`);
  if (value.length > max) throw badInput(`${path} must be at most ${max} characters`);
  if (email && NOT_IN_EMAIL.test(value)) throw badInput(`${path} must not contain control, bidirectional or invisible characters`);
}

/** Iterative (no recursion, so no stack overflow): depth, keys and bytes are counted as the value is walked. */
export function checkJson(value: unknown, path: string): void {
  const { maxDepth, maxKeys, maxBytes, maxKeyLength } = JSON_LIMITS;
  let bytes = 0;
  let keys = 0;
  const stack: [unknown, number][] = [[value, 1]];
  const over = (what: string) => badInput(`${path} is too large: at most ${what}`);
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v === 'boolean') bytes += 5;
    else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw badInput(`${path} must be JSON`);
      bytes += String(v).length;
    } else if (typeof v === 'string') {
      checkText(v, path, maxBytes);
      bytes += Buffer.byteLength(JSON.stringify(v));
    } else if (typeof v === 'object') {
      if (depth > maxDepth) throw over(`${maxDepth} levels of nesting`);
      if (Array.isArray(v)) {
        bytes += 2 + v.length;
        for (const item of v) stack.push([item, depth + 1]);
      } else {
        const entries = Object.entries(v as Record<string, unknown>);
        keys += entries.length;
        if (keys > maxKeys) throw over(`${maxKeys} keys`);
        bytes += 2 + entries.length;
        for (const [k, item] of entries) {
          checkText(k, `${path} key`, maxKeyLength);
          bytes += Buffer.byteLength(JSON.stringify(k));
          stack.push([item, depth + 1]);
        }
      }
    } else throw badInput(`${path} must be JSON`);
    if (bytes > maxBytes) throw over(`${maxBytes} bytes of JSON`);
  }
}

/** Builds the check of one input type (null: nothing in it needs checking). */
class CheckCompiler {
  private readonly objects = new Map<GraphQLInputObjectType, Check | null>();

  of(type: GraphQLInputType, name: string): Check | null {
    if (isNonNullType(type)) return this.of(type.ofType, name);
    if (isListType(type)) return this.list(this.of(type.ofType, name));
    if (isInputObjectType(type)) return this.object(type);
    if (!isScalarType(type)) return null; // enums: graphql-js coerces them
    if (type === GraphQLString || type.name === 'String') {
      const max = TEXT_LIMITS[name] ?? DEFAULT_TEXT_MAX;
      const email = name === 'email';
      return (v, path) => typeof v === 'string' && checkText(v, path, max, email);
    }
    if (type === GraphQLID || type.name === 'ID') return (v, path) => typeof v === 'string' && checkText(v, path, ID_MAX);
    if (type.name === 'JSON' || type.name === 'JSONObject') return (v, path) => v !== null && v !== undefined && checkJson(v, path);
    return null;
  }

  private list(item: Check | null): Check {
    return (v, path) => {
      if (!Array.isArray(v)) return item?.(v, path); // a single value given for a list is coerced to one item
      if (v.length > MAX_LIST_ITEMS) throw badInput(`${path} must have at most ${MAX_LIST_ITEMS} items`);
      if (item) v.forEach((x, i) => item(x, `${path}[${i}]`));
    };
  }

  private object(type: GraphQLInputObjectType): Check | null {
    if (this.objects.has(type)) return this.objects.get(type)!;
    // A self-referencing input type finds this placeholder while its fields are compiled.
    this.objects.set(type, (v, path) => this.objects.get(type)?.(v, path));
    const fields = Object.values(type.getFields())
      .map((f) => [f.name, this.of(f.type, f.name)] as const)
      .filter((f): f is readonly [string, Check] => f[1] !== null);
    const check: Check | null =
      fields.length === 0
        ? null
        : (v, path) => {
            if (v === null || typeof v !== 'object') return;
            for (const [name, c] of fields) {
              const x = (v as Record<string, unknown>)[name];
              if (x !== null && x !== undefined) c(x, `${path}.${name}`);
            }
          };
    this.objects.set(type, check);
    return check;
  }

  args(args: readonly GraphQLArgument[]): Check | null {
    const checks = args.map((a) => [a.name, this.of(a.type, a.name)] as const).filter((a): a is readonly [string, Check] => a[1] !== null);
    if (checks.length === 0) return null;
    return (v) => {
      const given = v as Record<string, unknown>;
      for (const [name, c] of checks) if (given[name] !== null && given[name] !== undefined) c(given[name], name);
    };
  }
}

const guarded = new WeakSet<GraphQLSchema>();

/** Wraps every field that takes arguments with the check of those arguments (see above). Returns the same schema. */
export function guardInputs(schema: GraphQLSchema): GraphQLSchema {
  if (guarded.has(schema)) return schema;
  guarded.add(schema);
  const compiler = new CheckCompiler();
  const subscriptionType = schema.getSubscriptionType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const check = compiler.args(field.args);
      if (!check) continue;
      if (type === subscriptionType && field.subscribe) field.subscribe = checked(field.subscribe, check);
      else field.resolve = checked(field.resolve ?? defaultFieldResolver, check);
    }
  }
  return schema;
}

function checked(resolve: GraphQLFieldResolver<unknown, unknown>, check: Check): GraphQLField<unknown, unknown>['resolve'] {
  return (source, args, context, info) => {
    check(args, '');
    return resolve(source, args, context, info);
  };
}
