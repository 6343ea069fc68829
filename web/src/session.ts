/**
 * Who is signed in. The access token lives in memory only (gone with the tab); the refresh token, once the
 * service issues them, is kept in the tab's sessionStorage so that reloading the page keeps the session, and
 * is spent (rotated) at each renewal.
 */
const REFRESH_TOKEN_KEY = 'identity-demo.refreshToken';

type EndListener = () => void;

class Session {
  accessToken: string | null = null;
  email: string | null = null;
  private renewal: Promise<boolean> | null = null;
  private renewer:
    | ((refreshToken: string) => Promise<{ accessToken: string; refreshToken?: string; email: string }>)
    | null = null;
  private readonly endListeners: EndListener[] = [];

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  get refreshToken(): string | null {
    return sessionStorage.getItem(REFRESH_TOKEN_KEY);
  }

  begin(tokens: { accessToken: string; refreshToken?: string; email: string }): void {
    this.accessToken = tokens.accessToken;
    this.email = tokens.email;
    if (tokens.refreshToken) sessionStorage.setItem(REFRESH_TOKEN_KEY, tokens.refreshToken);
    else sessionStorage.removeItem(REFRESH_TOKEN_KEY);
  }

  /** A newer access token of the same session (the one `check` answers with a confirmed number). */
  replaceAccessToken(accessToken: string): void {
    this.accessToken = accessToken;
  }

  /** How a refresh token becomes a new pair: set by the API module. */
  useRenewer(renewer: NonNullable<Session['renewer']>): void {
    this.renewer = renewer;
  }

  /**
   * Renews the access token with the refresh token, once for every caller that asks at the same moment.
   * `false` when there is no refresh token or the service refused it: the user logs in again.
   */
  renew(): Promise<boolean> {
    const refreshToken = this.refreshToken;
    if (!refreshToken || !this.renewer) return Promise.resolve(false);
    this.renewal ??= this.renewer(refreshToken)
      .then((tokens) => {
        this.begin(tokens);
        return true;
      })
      .catch(() => {
        sessionStorage.removeItem(REFRESH_TOKEN_KEY);
        return false;
      })
      .finally(() => (this.renewal = null));
    return this.renewal;
  }

  /** Forgets the tokens; listeners (the router) take the reader to the log-in page. */
  end(): void {
    const wasSignedIn = this.signedIn;
    this.clear();
    if (wasSignedIn) for (const listener of this.endListeners) listener();
  }

  /** Forgets the tokens without telling anyone (logging out on purpose). */
  clear(): void {
    this.accessToken = null;
    this.email = null;
    sessionStorage.removeItem(REFRESH_TOKEN_KEY);
  }

  onEnd(listener: EndListener): void {
    this.endListeners.push(listener);
  }
}

export const session = new Session();
