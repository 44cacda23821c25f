import { APP_ID_PATTERN, APP_NAME_FORBIDDEN, MAX_APP_NAME_LENGTH } from '@fairstream/protocol';

/** Checks an app's fields as the node will, so the wallet is only asked to sign what will be accepted. */
export function registrationProblem(appId: string, name: string): string | undefined {
  if (!APP_ID_PATTERN.test(appId))
    return 'The app id must be 1–64 characters of A-Z a-z 0-9 _ . : - (a reverse domain name, such as com.example.player, will do).';
  const trimmed = name.trim();
  if (trimmed.length === 0) return 'Give the app a name.';
  if ([...trimmed].length > MAX_APP_NAME_LENGTH)
    return `The name must be at most ${MAX_APP_NAME_LENGTH} characters.`;
  if (APP_NAME_FORBIDDEN.test(trimmed)) return 'The name must fit on one line.';
  return undefined;
}
