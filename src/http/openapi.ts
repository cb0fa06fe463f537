/**
 * Fixes to the OpenAPI document @fastify/swagger produces from our TypeBox schemas.
 */
interface Parameter {
  in?: string;
  name?: string;
  required?: boolean;
  schema?: { default?: unknown };
}

/**
 * @fastify/swagger marks a query parameter `required` when its TypeBox schema has a
 * default (e.g. `all`, `tail`, `withDependencies`), but the service fills in the default
 * itself: the caller may leave it out. A required parameter with a default means nothing
 * in OpenAPI and would force every generated-client call to pass it, so it is made
 * optional in the served document. Only the `required` flag changes; key order stays as produced.
 */
export function relaxDefaultedQueryParameters(document: { paths?: Record<string, Record<string, unknown>> }): string[] {
  const relaxed: string[] = [];
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      const parameters = (operation as { parameters?: Parameter[] } | undefined)?.parameters ?? [];
      for (const parameter of parameters) {
        if (parameter.in === 'query' && parameter.required === true && parameter.schema?.default !== undefined) {
          parameter.required = false;
          relaxed.push(`${method.toUpperCase()} ${path} ${parameter.name ?? ''}`);
        }
      }
    }
  }
  return relaxed;
}

