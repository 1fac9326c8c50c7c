export { startMailSystem, mailSystemUnavailable, type MailSystem, type MailSystemOptions } from './system.js';
export { freePort, waitForPort } from './ports.js';
