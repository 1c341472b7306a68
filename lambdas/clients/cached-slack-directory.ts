import type { SlackDirectory } from '../core/slack-ports';

export interface CachedSlackDirectoryProps {
  readonly directory: SlackDirectory;
  /** How long a group's members are reused, in milliseconds. @default 300000 (five minutes) */
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/**
 * Keeps each user group's members for a few minutes: Slack waits only three
 * seconds for an answer to a click, and `usergroups.users.list` is a Tier 2
 * method (about 20 calls a minute). A removed member may still decide until
 * the entry lapses. Lookups under way are shared; a failed one is not kept.
 */
export class CachedSlackDirectory implements SlackDirectory {
  private readonly entries = new Map<string, { at: number; members: Promise<readonly string[]> }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly props: CachedSlackDirectoryProps) {
    this.ttlMs = props.ttlMs ?? 5 * 60_000;
    this.now = props.now ?? Date.now;
  }

  usersOfGroup(groupId: string): Promise<readonly string[]> {
    const at = this.now();
    const entry = this.entries.get(groupId);
    if (entry !== undefined && at - entry.at < this.ttlMs) return entry.members;
    const members = this.props.directory.usersOfGroup(groupId);
    this.entries.set(groupId, { at, members });
    members.catch(() => {
      if (this.entries.get(groupId)?.members === members) this.entries.delete(groupId);
    });
    return members;
  }
}
