/* global module */
/**
 * The import graph of src/ (issue 12; layering in README "Architecture"): imports point
 * down only and nothing imports in a circle. `npm run check:imports` (scripts/test.sh, "lint
 * and types") fails on any rule below.
 *
 *   top (app, server, cli, commands) → system → groups, compose, swarm → containers → access
 *     → http → docker, storage → lib, config, errors, version
 *
 * Type-only imports count too (tsPreCompilationDeps): a type that reaches upward is the same
 * coupling as a value. process.env reads are checked by scripts/check-env-reads.sh.
 */
const FEATURES = '^src/(access|containers|groups|compose|swarm|system|updates)/';
const TOP = '^src/(app|server|cli)\\.ts$|^src/commands/';
const BOTTOM = '^src/(lib/|(config|errors|version)\\.ts$)';

/** One forbidden rule: files matching `from` import nothing matching `to`. */
function forbid(name, comment, from, to) {
  return { name, comment, severity: 'error', from: { path: from }, to: { path: to } };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Modules in src/ import each other in a circle: move the shared part down a layer.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    forbid(
      'bottom-imports-up',
      'lib/, config.ts, errors.ts and version.ts are the bottom layer: they import nothing else from src/ but each other.',
      BOTTOM,
      '^src/(docker|storage|http|access|containers|groups|compose|swarm|system|commands)/|^src/(app|server|cli|services-bag)\\.ts$',
    ),
    forbid(
      'docker-storage-import-up',
      'docker/ and storage/ sit below http/ and the features: they may use lib/, config, errors, version only.',
      '^src/(docker|storage)/',
      `^src/http/|${FEATURES}|^src/services-bag\\.ts$`,
    ),
    forbid(
      'http-imports-feature',
      'http/ (app-wide plugins) must not know the features: take what you need as an interface or an option.',
      '^src/http/',
      `${FEATURES}|^src/services-bag\\.ts$`,
    ),
    forbid('access-imports-up', 'access/ sits below containers/, groups/, compose/, swarm/ and system/.', '^src/access/', '^src/(containers|groups|compose|swarm|system)/'),
    forbid('containers-imports-up', 'containers/ sits below groups/, compose/, swarm/ and system/.', '^src/containers/', '^src/(groups|compose|swarm|system)/'),
    forbid('groups-imports-up', 'groups/ sits below system/ and beside compose/ and swarm/ (siblings do not import each other).', '^src/groups/', '^src/(compose|swarm|system)/'),
    forbid('compose-imports-up', 'compose/ sits below system/ and beside groups/ and swarm/ (siblings do not import each other).', '^src/compose/', '^src/(groups|swarm|system)/'),
    forbid('swarm-imports-up', 'swarm/ sits below system/ and beside groups/ and compose/ (siblings do not import each other; app.ts wires swarm services into groups).', '^src/swarm/', '^src/(groups|compose|system)/'),
    forbid(
      'history-imported-below',
      'history/ (resource history) sits above containers/ and groups/, beside compose/: only system/ and the top may import it.',
      '^src/(lib|docker|storage|http|access|containers|groups|compose|swarm)/|^src/(config|errors|version)\\.ts$',
      '^src/history/',
    ),
    forbid(
      'alerts-imported-below',
      'alerts/ sits above containers/, groups/ and compose/ (it watches them): only system/ and the top may import it.',
      '^src/(lib|docker|storage|http|access|containers|groups|compose|swarm|updates)/|^src/(config|errors|version)\\.ts$',
      '^src/alerts/',
    ),
    {
      name: 'imports-top',
      comment: 'app.ts, server.ts, cli.ts and commands/ are the top: only they import each other.',
      severity: 'error',
      from: { path: '^src/', pathNot: TOP },
      to: { path: TOP },
    },
    {
      name: 'engine-outside-docker',
      comment: 'Only src/docker/ talks to the engine library: use src/docker/engine.ts.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/docker/' },
      to: { path: '(^|/)node_modules/(@types/)?(dockerode|docker-modem)/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import the checker cannot resolve would hide its edge from every rule above.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
