import type { Channel, DemoSettings } from './api.js';
import type { Country } from './countries.js';

export type Route = 'login' | 'signup' | 'account' | 'verify' | 'confirm';

export interface PageContext {
  settings: DemoSettings;
  countries: Country[];
  /** Goes to another page; `notice` is shown (and read out) there. */
  navigate(route: Route, notice?: string): void;
  /** Runs when the reader leaves the page (timers to stop). */
  onLeave(cleanup: () => void): void;
}

export interface Page {
  title: string;
  /** Only for a signed-in reader (others are sent to log in). */
  signedIn: boolean;
  render(context: PageContext): Promise<HTMLElement> | HTMLElement;
}

export const CHANNEL_LABELS: Record<Channel, string> = {
  sms: 'Text message (SMS)',
  call: 'Phone call',
  whatsapp: 'WhatsApp',
};

/** How a channel reads in a sentence: "by text message". */
export const CHANNEL_PHRASES: Record<Channel, string> = {
  sms: 'by text message',
  call: 'by phone call',
  whatsapp: 'on WhatsApp',
};
