// Signing requests the way MAAS clients do, with the oauth-1.0a package (PLAINTEXT).
import OAuth from 'oauth-1.0a';

/** A function that returns the Authorization header for a request, signed with a MAAS API key. */
export function signerFor(apiKey: string, now: () => number = () => Date.now()): (method: string, url: string) => string {
  const [consumer, token, secret] = apiKey.split(':') as [string, string, string];
  const oauth = new OAuth({ consumer: { key: consumer, secret: '' }, signature_method: 'PLAINTEXT' });
  oauth.getTimeStamp = () => Math.floor(now() / 1000);
  return (method, url) => oauth.toHeader(oauth.authorize({ url, method }, { key: token, secret })).Authorization;
}
