import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** Compiles every route's validators and serializers now (see lazyCompilers); returns how many. */
    compileAllSchemas(): number;
  }
}

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type BuildValidator = NonNullable<CompilersFactory['buildValidator']>;
type BuildSerializer = NonNullable<CompilersFactory['buildSerializer']>;
type Validate = ((data: unknown) => unknown) & { errors?: unknown };

/**
 * Fastify's own compilers (ajv for request parts, fast-json-stringify for answers), each
 * route's function compiled on its first use instead of at start (issue 13, memory). Of
 * ~150 routes × their request parts and status codes (511 functions), a running service
 * uses a handful: compiling every one at start held ~12 MiB of code and ajv state it never ran.
 * The functions are the ones Fastify would have made; only the moment differs. A schema
 * that cannot compile would now fail on first use instead of at start: compileAll() (the
 * system integration test calls it on the whole app) keeps that failure in the tests.
 */
export interface LazyCompilers {
  buildValidator: BuildValidator;
  buildSerializer: BuildSerializer;
  /** Compiles every function not compiled yet (a schema that cannot compile throws); returns how many there are. */
  compileAll(): number;
}

export function lazyCompilers(): LazyCompilers {
  const validators = AjvCompiler() as unknown as BuildValidator;
  const serializers = SerializerSelector() as unknown as BuildSerializer;
  /** How to compile each function handed out, for compileAll(). */
  const pending: Array<() => unknown> = [];
  /** `compile` run once, on the first call of what this returns; remembered for compileAll(). */
  const lazily = <F>(compile: () => F): (() => F) => {
    let fn: F | undefined;
    const compiled = () => (fn ??= compile());
    pending.push(compiled);
    return compiled;
  };
  const buildValidator: BuildValidator = (externalSchemas, options) => {
    const compile = validators(externalSchemas, options);
    return (routeSchema) => {
      const compiled = lazily(() => compile(routeSchema) as Validate);
      // Fastify reads `errors` off the function it called after a failed validation.
      const lazy: Validate = (data) => {
        const validate = compiled();
        const result = validate(data);
        lazy.errors = validate.errors;
        return result;
      };
      return lazy as ReturnType<ReturnType<BuildValidator>>;
    };
  };
  const buildSerializer: BuildSerializer = (externalSchemas, options) => {
    const compile = serializers(externalSchemas, options);
    return (routeSchema) => {
      const compiled = lazily(() => compile(routeSchema) as (data: unknown) => string);
      return ((data: unknown) => compiled()(data)) as ReturnType<ReturnType<BuildSerializer>>;
    };
  };
  const compileAll = () => {
    for (const compiled of pending) compiled();
    return pending.length;
  };
  return { buildValidator, buildSerializer, compileAll };
}
