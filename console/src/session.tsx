import { createContext, useContext } from 'react';

export interface Me {
  id: string;
  name: string;
  propertyId: string;
  roles: string[];
  areaIds: string[];
}

export interface SessionState {
  me: Me | null;
  temporalUiUrl: string | null;
  signedIn: (answer: { staff: Me | null; csrfToken: string; temporalUiUrl: string | null; temporalNamespace: string }) => void;
  signOut: () => Promise<void>;
  home: (me: Me) => string;
}

export const SessionContext = createContext<SessionState>({ me: null, temporalUiUrl: null, signedIn: () => undefined, signOut: async () => undefined, home: () => '/' });
export const useSessionContext = () => useContext(SessionContext);
