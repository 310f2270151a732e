import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../cli.error.js';
import { resolveHubSettings } from './hub-settings.js';

describe('resolveHubSettings', () => {
  let dir: string;
  let config: string;
  const env = (extra: Record<string, string> = {}) => ({ HOME: join(dir, 'home'), ...extra });
  const code = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return { code: (error as CliError).exitCode, message: (error as Error).message };
    }
    return undefined;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-cli-settings-'));
    config = join(dir, 'config.yaml');
    await writeFile(
      config,
      [
        'currentContext: staging',
        'contexts:',
        '  staging: {hub: "http://staging.example:8080", token: flt_staging}',
        `  prod: {hub: "https://prod.example/", tokenFile: ${JSON.stringify(join(dir, 'prod-token'))}}`,
      ].join('\n'),
    );
    await writeFile(join(dir, 'prod-token'), 'flt_prod\n');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('takes flags over the environment over the config file, field by field', () => {
    const all = env({ FLOTILLA_CONFIG: config, FLOTILLA_HUB_URL: 'http://env.example', FLOTILLA_TOKEN: 'flt_env' });
    expect(resolveHubSettings({ hub: 'http://flag.example', token: 'flt_flag' }, all, dir)).toMatchObject({ url: 'http://flag.example', token: 'flt_flag', urlFrom: '--hub', tokenFrom: '--token' });
    expect(resolveHubSettings({ token: 'flt_flag' }, all, dir)).toMatchObject({ url: 'http://env.example', token: 'flt_flag' });
    expect(resolveHubSettings({}, all, dir)).toMatchObject({ url: 'http://env.example', token: 'flt_env', urlFrom: 'FLOTILLA_HUB_URL', tokenFrom: 'FLOTILLA_TOKEN' });
    expect(resolveHubSettings({}, env({ FLOTILLA_CONFIG: config, FLOTILLA_TOKEN: 'flt_env' }), dir)).toMatchObject({ url: 'http://staging.example:8080', token: 'flt_env' });
    expect(resolveHubSettings({}, env({ FLOTILLA_CONFIG: config }), dir)).toMatchObject({ url: 'http://staging.example:8080', token: 'flt_staging' });
  });

  it('chooses the context by flag, then FLOTILLA_CONTEXT, then currentContext; reads token files; trims the URL', () => {
    expect(resolveHubSettings({ context: 'prod' }, env({ FLOTILLA_CONFIG: config, FLOTILLA_CONTEXT: 'staging' }), dir)).toMatchObject({ url: 'https://prod.example', token: 'flt_prod' });
    expect(resolveHubSettings({}, env({ FLOTILLA_CONFIG: config, FLOTILLA_CONTEXT: 'prod' }), dir)).toMatchObject({ url: 'https://prod.example', token: 'flt_prod' });
    expect(code(() => resolveHubSettings({ context: 'nope' }, env({ FLOTILLA_CONFIG: config }), dir))).toEqual({
      code: 2,
      message: `--context: no context "nope" in ${config} (it has: staging, prod)`,
    });
  });

  it('warns when the file holding the token can be read by others', async () => {
    await chmod(config, 0o644);
    expect(resolveHubSettings({}, env({ FLOTILLA_CONFIG: config }), dir).warnings).toEqual([
      `${config} holds an API token and is readable by others (mode 644): chmod 600 ${config}`,
    ]);
    await chmod(config, 0o600);
    expect(resolveHubSettings({}, env({ FLOTILLA_CONFIG: config }), dir).warnings).toEqual([]);
    await chmod(join(dir, 'prod-token'), 0o640);
    expect(resolveHubSettings({ context: 'prod' }, env({ FLOTILLA_CONFIG: config }), dir).warnings).toEqual([expect.stringContaining(`${join(dir, 'prod-token')} holds an API token`)]);
    // A token from elsewhere: the file's mode does not matter.
    expect(resolveHubSettings({ token: 'flt_x' }, env({ FLOTILLA_CONFIG: config }), dir).warnings).toEqual([]);
  });

  it('finds the config under XDG_CONFIG_HOME or ~/.config, and lives without one', async () => {
    await mkdir(join(dir, 'home', '.config', 'flotilla'), { recursive: true });
    await writeFile(join(dir, 'home', '.config', 'flotilla', 'config.yaml'), 'hub: http://home.example\ntoken: flt_home\n');
    expect(resolveHubSettings({}, env(), dir)).toMatchObject({ url: 'http://home.example', token: 'flt_home' });
    expect(resolveHubSettings({}, env({ XDG_CONFIG_HOME: join(dir, 'none') }), dir)).toMatchObject({ url: 'http://127.0.0.1:8080', token: undefined });
  });

  it('takes the hub URL without the /graphql endpoint, query or trailing slash', () => {
    expect(resolveHubSettings({ hub: 'https://hub.example/flotilla/graphql?x=1' }, env(), dir).url).toBe('https://hub.example/flotilla');
    expect(resolveHubSettings({ hub: 'http://hub.example:8080/' }, env(), dir).url).toBe('http://hub.example:8080');
  });

  it('uses the demo admin token only with the default hub address', async () => {
    await mkdir(join(dir, '.flotilla', 'demo'), { recursive: true });
    await writeFile(join(dir, '.flotilla', 'demo', 'admin-token'), 'flt_demo\n');
    expect(resolveHubSettings({}, env(), dir)).toMatchObject({ url: 'http://127.0.0.1:8080', token: 'flt_demo' });
    expect(resolveHubSettings({ hub: 'https://prod.example' }, env(), dir)).toMatchObject({ token: undefined });
  });

  it.each([
    [{ hub: 'ftp://x' }, {}, `--hub: expected the hub's http:// or https:// URL, got "ftp://x"`],
    [{}, { FLOTILLA_HUB_URL: 'not a url' }, `FLOTILLA_HUB_URL: expected the hub's http:// or https:// URL, got "not a url"`],
    [{ hub: 'http://u:p@x' }, {}, '--hub: the hub URL must not hold credentials'],
    [{ token: 'two words' }, {}, '--token: the token must be one word without spaces'],
    [{}, { FLOTILLA_CONFIG: '/nonexistent/config.yaml' }, 'FLOTILLA_CONFIG: cannot read /nonexistent/config.yaml'],
  ])('refuses %j %j as a usage error', (flags, extra, message) => {
    const result = code(() => resolveHubSettings(flags, env(extra), dir));
    expect(result?.code).toBe(2);
    expect(result?.message).toContain(message);
  });

  it('names the config file and the key when the file is malformed', async () => {
    await writeFile(config, 'contexts:\n  a: {hub: 1, colour: red}\n');
    const result = code(() => resolveHubSettings({}, env({ FLOTILLA_CONFIG: config }), dir));
    expect(result?.code).toBe(2);
    expect(result?.message).toMatch(new RegExp(`^${config}: contexts\\.a\\.hub: .*; contexts\\.a: .*colour`));
  });
});
