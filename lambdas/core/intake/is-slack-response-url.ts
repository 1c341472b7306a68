/** Where Slack's `response_url`s live; a URL anywhere else is not Slack's and is refused. */
export const SLACK_RESPONSE_URL_PREFIX = 'https://hooks.slack.com/';

/** Whether `url` is a `response_url` Slack could have sent: https on hooks.slack.com, no user, no port. */
export function isSlackResponseUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && parsed.hostname === 'hooks.slack.com' && parsed.port === '' && parsed.username === '' && parsed.password === '';
}
