// proxy-from-env ships no type declarations; this is the one function Herald uses.
declare module 'proxy-from-env' {
  /** The proxy URL the environment names for `url` (`<scheme>_PROXY`, then `ALL_PROXY`, minus `NO_PROXY`), or ''. */
  export function getProxyForUrl(url: string | URL): string;
}
