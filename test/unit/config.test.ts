import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import Value from 'typebox/value';
import { ConfigError, ConfigSchema, loadConfig } from '../../src/config.js';

/** Runs loadConfig and returns the ConfigError it must throw. */
function configError(env: NodeJS.ProcessEnv): ConfigError {
  let caught: unknown;
  try {
    loadConfig(env);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError for ${JSON.stringify(env)}`);
  return caught;
}

describe('loadConfig defaults', () => {
  test('an empty environment gives the documented defaults', () => {
    const config = loadConfig({});
    assert.equal(config.port, 8098);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.docker.host, 'unix:///var/run/docker.sock');
    assert.equal(config.docker.tlsVerify, false);
    assert.equal(config.docker.timeoutMs, 10_000);
    assert.equal(config.docker.apiVersion, undefined);
    assert.equal(config.docker.certPath, undefined);
    assert.deepEqual(config.corsOrigins, []);
    assert.equal(config.dataDir, './data');
    assert.equal(config.metricsToken, undefined);
    assert.deepEqual(config.ignoredVars, []);
  });

  test('HOST defaults to loopback outside a container and to all interfaces inside one', () => {
    // Decided by /.dockerenv or /run/.containerenv; compute it so the test holds in both places.
    const inContainer = existsSync('/.dockerenv') || existsSync('/run/.containerenv');
    assert.equal(loadConfig({}).host, inContainer ? '0.0.0.0' : '127.0.0.1');
  });

  test('an explicit HOST wins over the container guess', () => {
    assert.equal(loadConfig({ HOST: '10.1.2.3' }).host, '10.1.2.3');
  });

  test('empty and blank values count as unset', () => {
    const config = loadConfig({ PORT: '', DOCKER_HOST: '   ', LOG_LEVEL: '' });
    assert.equal(config.port, 8098);
    assert.equal(config.docker.host, 'unix:///var/run/docker.sock');
    assert.equal(config.logLevel, 'info');
  });
});

describe('loadConfig accepted values', () => {
  test('PORT is converted to a number, surrounding spaces trimmed', () => {
    assert.equal(loadConfig({ PORT: '9000' }).port, 9000);
    assert.equal(loadConfig({ PORT: ' 9001 ' }).port, 9001);
    assert.equal(loadConfig({ PORT: '1' }).port, 1);
    assert.equal(loadConfig({ PORT: '65535' }).port, 65535);
  });

  test('LOG_LEVEL is lower-cased, since the platform writes INFO', () => {
    assert.equal(loadConfig({ LOG_LEVEL: 'INFO' }).logLevel, 'info');
    assert.equal(loadConfig({ LOG_LEVEL: 'Debug' }).logLevel, 'debug');
  });

  test('boolean words: true/1/yes are true, false/0/no are false, any case', () => {
    for (const word of ['true', '1', 'yes', 'TRUE', 'Yes']) {
      assert.equal(loadConfig({ DOCKER_TLS_VERIFY: word }).docker.tlsVerify, true, word);
    }
    for (const word of ['false', '0', 'no', 'NO', 'False']) {
      assert.equal(loadConfig({ DOCKER_TLS_VERIFY: word }).docker.tlsVerify, false, word);
    }
  });

  test('every supported DOCKER_HOST scheme is accepted', () => {
    for (const host of ['unix:///run/user/1000/docker.sock', 'tcp://10.0.0.5:2376', 'ssh://deploy@docker.example.org']) {
      assert.equal(loadConfig({ DOCKER_HOST: host }).docker.host, host);
    }
  });

  test('DOCKER_API_VERSION loses a leading v', () => {
    assert.equal(loadConfig({ DOCKER_API_VERSION: 'v1.41' }).docker.apiVersion, '1.41');
    assert.equal(loadConfig({ DOCKER_API_VERSION: '1.45' }).docker.apiVersion, '1.45');
  });

  test('CORS_ORIGINS is split on commas, trimmed, empties dropped; * allowed', () => {
    const config = loadConfig({ CORS_ORIGINS: ' https://gui.example.org , http://localhost:5173,,*' });
    assert.deepEqual(config.corsOrigins, ['https://gui.example.org', 'http://localhost:5173', '*']);
  });

  test('METRICS_TOKEN of 16 characters is kept', () => {
    assert.equal(loadConfig({ METRICS_TOKEN: '0123456789abcdef' }).metricsToken, '0123456789abcdef');
  });

  test('ENGINE_TIMEOUT_MS and DATA_DIR are read', () => {
    const config = loadConfig({ ENGINE_TIMEOUT_MS: '2500', DATA_DIR: '/var/lib/gdm' });
    assert.equal(config.docker.timeoutMs, 2500);
    assert.equal(config.dataDir, '/var/lib/gdm');
  });

  test('ignoredVars names the known platform variables that are set, and only those', () => {
    const config = loadConfig({ MONGODB_URL: 'mongodb://db:27017/x', SERVICE_NAME: 'gui', SOMETHING_ELSE: '1' });
    assert.deepEqual([...config.ignoredVars].sort(), ['MONGODB_URL', 'SERVICE_NAME']);
  });

  test('unknown variables are ignored, not rejected', () => {
    const config = loadConfig({ TOTALLY_UNKNOWN: 'x', PATH: '/usr/bin', npm_config_foo: 'bar' });
    assert.equal(config.port, 8098);
    assert.ok(!config.ignoredVars.includes('TOTALLY_UNKNOWN'));
  });
});

describe('loadConfig refusals', () => {
  for (const port of ['abc', '0', '70000', '-1']) {
    test(`PORT=${port} is refused, naming PORT and what it expects`, () => {
      const err = configError({ PORT: port });
      assert.equal(err.variable, 'PORT');
      assert.equal(err.name, 'ConfigError');
      assert.match(err.message, /PORT/);
      assert.match(err.message, /1-65535/);
      assert.ok(err.message.includes(JSON.stringify(port)), 'the message quotes the refused value');
    });
  }

  test('a DOCKER_HOST with an unsupported scheme names DOCKER_HOST', () => {
    const err = configError({ DOCKER_HOST: 'http://x' });
    assert.equal(err.variable, 'DOCKER_HOST');
    assert.match(err.message, /DOCKER_HOST/);
    assert.match(err.message, /unix:\/\//);
  });

  test('an unknown LOG_LEVEL lists the accepted levels', () => {
    const err = configError({ LOG_LEVEL: 'loud' });
    assert.equal(err.variable, 'LOG_LEVEL');
    assert.match(err.message, /fatal, error, warn, info, debug, trace, silent/);
  });

  test('a boolean that is not a boolean word is refused', () => {
    assert.equal(configError({ DOCKER_TLS_VERIFY: 'maybe' }).variable, 'DOCKER_TLS_VERIFY');
  });

  test('a CORS_ORIGINS entry that is not an origin is refused and quoted', () => {
    for (const bad of ['ftp://files.example.org', 'https://gui.example.org/path', 'gui.example.org']) {
      const err = configError({ CORS_ORIGINS: `https://ok.example.org,${bad}` });
      assert.equal(err.variable, 'CORS_ORIGINS');
      assert.ok(err.message.includes(JSON.stringify(bad)), err.message);
    }
  });

  test('a METRICS_TOKEN under 16 characters is refused', () => {
    const err = configError({ METRICS_TOKEN: 'short' });
    assert.equal(err.variable, 'METRICS_TOKEN');
    assert.match(err.message, /16 characters/);
  });

  test('DOCKER_API_VERSION must look like 1.xx', () => {
    assert.equal(configError({ DOCKER_API_VERSION: 'latest' }).variable, 'DOCKER_API_VERSION');
  });

  test('ENGINE_TIMEOUT_MS outside 100-600000 is refused', () => {
    assert.equal(configError({ ENGINE_TIMEOUT_MS: '50' }).variable, 'ENGINE_TIMEOUT_MS');
    assert.equal(configError({ ENGINE_TIMEOUT_MS: '600001' }).variable, 'ENGINE_TIMEOUT_MS');
  });
});

describe('strictness found by review', () => {
  test('integers must be plain decimals', () => {
    for (const port of ['80.5', '1e3', '0x50', '+80']) {
      assert.throws(() => loadConfig({ PORT: port }), (err: unknown) => err instanceof ConfigError && err.variable === 'PORT', port);
    }
  });

  test('a secret is never echoed in the error', () => {
    assert.throws(
      () => loadConfig({ METRICS_TOKEN: 'short-secret' }),
      (err: unknown) => err instanceof ConfigError && err.variable === 'METRICS_TOKEN' && !err.message.includes('short-secret'),
    );
  });

  test('unix:// needs an absolute path (three slashes)', () => {
    assert.throws(() => loadConfig({ DOCKER_HOST: 'unix://var/run/docker.sock' }), (err: unknown) => err instanceof ConfigError && err.variable === 'DOCKER_HOST');
    assert.throws(() => loadConfig({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' }), ConfigError);
  });

  test('stats and stream settings', () => {
    const c = loadConfig({ STATS_SOURCE: 'engine', STATS_INTERVAL_MS: '500', STREAMS_PER_CLIENT: '4', METRICS_CONTAINER_STATS: 'true' });
    assert.deepEqual(c.stats, { source: 'engine', intervalMs: 500 });
    assert.equal(c.streams.perClient, 4);
    assert.equal(c.metricsContainerStats, true);
    assert.throws(() => loadConfig({ STATS_SOURCE: 'psychic' }), (err: unknown) => err instanceof ConfigError && err.variable === 'STATS_SOURCE');
  });
});

describe('service groups settings', () => {
  test('role lists: admins default to * (every group); * is accepted in any list, alone or among names', () => {
    const c = loadConfig({});
    assert.deepEqual(c.auth.roleGroups, { user: ['foundation', 'core'], developer: ['foundation', 'core', 'application'], admin: ['*'] });
    assert.deepEqual(loadConfig({ USER_SERVICES: '*', DEVELOPER_SERVICES: 'core,*' }).auth.roleGroups.developer, ['core', '*']);
    for (const bad of ['*core', 'core,**', 'a b', ',core']) {
      assert.equal(configError({ ADMIN_SERVICES: bad }).variable, 'ADMIN_SERVICES', bad);
    }
  });

  test('GROUP_STEP_TIMEOUT_MAX_SECONDS defaults to 300 and takes 1-3600', () => {
    assert.equal(loadConfig({}).groups.stepTimeoutMaxSeconds, 300);
    assert.equal(loadConfig({ GROUP_STEP_TIMEOUT_MAX_SECONDS: '60' }).groups.stepTimeoutMaxSeconds, 60);
    for (const bad of ['0', '3601', '1.5']) assert.equal(configError({ GROUP_STEP_TIMEOUT_MAX_SECONDS: bad }).variable, 'GROUP_STEP_TIMEOUT_MAX_SECONDS');
  });
});

describe('ConfigSchema', () => {
  /** Config is Static<typeof ConfigSchema>: what loadConfig builds must conform to it at run time too. */
  function assertConforms(env: NodeJS.ProcessEnv): void {
    const config = loadConfig(env);
    const errors = [...Value.Errors(ConfigSchema, config)].map((e) => `${e.instancePath}: ${e.message}`);
    assert.deepEqual(errors, [], JSON.stringify(env));
  }

  test('the defaults conform', () => assertConforms({}));

  test('every variable set conforms', () =>
    assertConforms({
      PORT: '9000',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'DEBUG',
      DOCKER_HOST: 'tcp://engine:2376',
      DOCKER_API_VERSION: 'v1.41',
      DOCKER_CERT_PATH: '/certs',
      DOCKER_TLS_VERIFY: '1',
      CORS_ORIGINS: 'https://gui.example.org,*',
      ALLOWED_HOSTS: 'gdm.example.org,[::1],10.0.0.5',
      DATA_DIR: '/var/lib/gdm',
      METRICS_TOKEN: 'a-metrics-token-of-16+',
      STATS_SOURCE: 'cgroup',
      METRICS_CONTAINER_STATS: 'true',
      SERVICE_GROUPS_FILE: '/etc/gdm/groups.yaml',
      GROUP_LABEL: 'lucid.cluster,com.lucid.cluster',
      JWT_SECRET_KEY: 'a-secret-of-at-least-16',
      JWT_AUDIENCE: 'gui_docker_manager',
      JWT_ISSUER: 'platform',
      GUI_ACCESS_LEVELS_ENABLED: 'false',
      USER_SERVICES: 'core',
      ROLE_MAP: 'super_admin:admin,node_operator:developer',
      ADMIN_PASSWORD: 'a-long-admin-password',
      REDIS_URL: 'redis://cache:6379/1',
      TRUSTED_PROXIES: '10.0.0.0/8',
      COMPOSE_PROJECTS_DIR: '/srv/compose',
      COMPOSE_PROJECTS_FILE: '/srv/compose/projects.yaml',
      COMPOSE_COMMAND: 'docker compose',
      COMPOSE_ALLOW_BUILD: 'yes',
      COOKIE_SECURE: 'true',
      MONGODB_URL: 'mongodb://ignored',
    }));

  test('a value of the wrong shape is refused by the schema', () => {
    const config = loadConfig({});
    assert.equal(Value.Check(ConfigSchema, { ...config, auth: { ...config.auth, roleMap: { x: 'root' } } }), false);
    assert.equal(Value.Check(ConfigSchema, { ...config, stats: { ...config.stats, source: 'psychic' } }), false);
  });
});
