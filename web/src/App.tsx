import { useEffect, useMemo, useState } from 'react';
import { AlertsBell } from './components/AlertsBell';
import { Banner } from './components/Banner';
import { AdminPage } from './pages/Admin';
import { ComposePage } from './pages/Compose';
import { ContainerPage } from './pages/ContainerPage';
import { ContainersPage } from './pages/Containers';
import { EnginesPage } from './pages/Engines';
import { GroupsPage } from './pages/Groups';
import { LoginPage } from './pages/Login';
import { UpdatesPage } from './pages/Updates';
import { SwarmPage } from './pages/Swarm';
import { findByRef } from './state/containers';
import { useEngines } from './state/engines';
import { useLiveContainers, useLiveStats } from './state/live';
import { useSession } from './state/session';

function useHashRoute(): string {
  const [hash, setHash] = useState(window.location.hash || '#/containers');
  useEffect(() => {
    const on = () => setHash(window.location.hash || '#/containers');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function useTheme(): [string, () => void] {
  // Only the theme is remembered in the browser; never a token.
  const [theme, setTheme] = useState(() => localStorage.getItem('gdm-theme') ?? (window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  useEffect(() => {
    document.documentElement.dataset['theme'] = theme;
    localStorage.setItem('gdm-theme', theme);
  }, [theme]);
  return [theme, () => setTheme((t) => (t === 'dark' ? 'light' : 'dark'))];
}

function Shell() {
  const { identity, logout, isAdmin } = useSession();
  const route = useHashRoute();
  const [theme, toggleTheme] = useTheme();
  const { containers, connection, engineChanges } = useLiveContainers();
  const usage = useLiveStats();
  // Asked again on each `engine` event and connection change: the banner follows an engine lost or back.
  const engines = useEngines([engineChanges, connection]);
  const engineNames = useMemo(() => engines.engines?.map((e) => e.name) ?? [], [engines.engines]);
  // `#/page/arg?query`: the query holds the containers table's engine filter.
  const [path = '', search = ''] = route.split('?');
  const [page, arg] = path.replace(/^#\//, '').split('/');
  const engineFilter = new URLSearchParams(search).get('engine') ?? '';
  const nav = [
    ['containers', 'Containers'],
    ['engines', 'Engines'],
    ['groups', 'Service groups'],
    ['compose', 'Compose'],
    ['updates', 'Updates'],
    ['swarm', 'Swarm'],
    ...(isAdmin ? [['admin', 'Admin']] : []),
  ];
  const detailRef = page === 'containers' && arg ? decodeURIComponent(arg) : undefined;
  return (
    <div className="app" data-connection={connection}>
      <header>
        <strong>gui-docker-manager</strong>
        <nav aria-label="Main">
          {nav.map(([id, label]) => (
            <a key={id} href={`#/${id}`} aria-current={page === id ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span className="spacer" />
        <AlertsBell isAdmin={isAdmin} />
        <span className="muted" data-testid="whoami">
          {identity?.sub} ({identity?.role})
        </span>
        <button type="button" onClick={toggleTheme} aria-label="Toggle dark theme">
          {theme === 'dark' ? 'Light' : 'Dark'}
        </button>
        <button type="button" onClick={() => void logout()}>
          Log out
        </button>
      </header>
      <Banner connection={connection} engines={engines.engines} />
      <main>
        {page === 'containers' && !detailRef && (
          <ContainersPage
            containers={containers}
            usage={usage}
            knownEngines={engineNames}
            engine={engineFilter}
            onEngine={(e) => window.location.replace(e ? `#/containers?engine=${encodeURIComponent(e)}` : '#/containers')}
          />
        )}
        {detailRef && <ContainerPage reference={detailRef} live={findByRef(containers, detailRef)} />}
        {page === 'engines' && <EnginesPage {...engines} />}
        {page === 'groups' && <GroupsPage knownEngines={engineNames} />}
        {page === 'compose' && <ComposePage knownEngines={engineNames} />}
        {page === 'updates' && <UpdatesPage />}
        {page === 'swarm' && <SwarmPage />}
        {page === 'admin' && isAdmin && <AdminPage />}
      </main>
    </div>
  );
}

export function App() {
  const { identity } = useSession();
  if (identity === undefined) return <p className="muted">Loading…</p>;
  return identity ? <Shell /> : <LoginPage />;
}
