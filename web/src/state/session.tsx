import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, unwrap, type Identity } from '../api/client';
import { onSessionEnded } from './session-end';

interface Session {
  identity: Identity | null | undefined;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
  can(permission: 'READ' | 'EXECUTE' | 'WRITE' | 'DELETE'): boolean;
  isAdmin: boolean;
}

const SessionContext = createContext<Session | null>(null);

/** Who is logged in (from the httpOnly cookie; the token never touches script storage). */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [identity, setIdentity] = useState<Identity | null | undefined>(undefined);
  useEffect(() => {
    const check = () => {
      api.GET('/api/v1/auth/me').then((r) => setIdentity(r.response.ok ? (r.data ?? null) : null), () => setIdentity(null));
    };
    check();
    // A stream ended for lack of access: ask again who we are (the login page follows).
    return onSessionEnded(check);
  }, []);
  const login = useCallback(async (username: string, password: string) => {
    const result = unwrap(await api.POST('/api/v1/auth/login', { body: { username, password } }));
    setIdentity(result.identity);
  }, []);
  const logout = useCallback(async () => {
    await api.POST('/api/v1/auth/logout');
    setIdentity(null);
  }, []);
  const can = useCallback((p: 'READ' | 'EXECUTE' | 'WRITE' | 'DELETE') => identity?.permissions.includes(p) ?? false, [identity]);
  return (
    <SessionContext.Provider value={{ identity, login, logout, can, isAdmin: identity?.role === 'admin' }}>{children}</SessionContext.Provider>
  );
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}
