/**
 * Who may take which Slack action (docs/architecture.md, "Slack actions"): an allowlist per
 * action of Slack user ids (`U…`, `W…`) and user-group ids (`S…`). Anyone else is told why not and
 * nothing changes. Group membership is read through a port (Slack's `usergroups.users.list`).
 */
import type { SlackActionId, SlackUser } from './payload.ts';

/** The allowlist: for each action, the users and user groups that may take it (empty: nobody). */
export type SlackActionAllowlist = Readonly<Record<SlackActionId, readonly string[]>>;

/** Port: the members of a Slack user group. */
export interface SlackUserGroups {
  /** User ids of the group's members; throws when Slack cannot say. */
  members(groupId: string): Promise<readonly string[]>;
}

/** A user-group id (`S…`); anything else in an allowlist is a user id. */
export const isUserGroupId = (id: string): boolean => id.startsWith('S');

/** The verdict, with a sentence for the person who clicked. */
export type SlackAuthorization = { allowed: true; via: string } | { allowed: false; reason: string };

/**
 * Decides whether `user` may take `action`. A listed user id is enough; otherwise each listed
 * group is asked for its members, in order. A group that cannot be read denies (with a reason
 * saying so) rather than guessing: a human can click again.
 */
export async function authorizeSlackAction(
  action: SlackActionId,
  user: SlackUser,
  allowlist: SlackActionAllowlist,
  groups: SlackUserGroups | undefined,
): Promise<SlackAuthorization> {
  const allowed = allowlist[action] ?? [];
  if (allowed.length === 0) {
    return { allowed: false, reason: `Nobody may take the action ${action} from Slack in this deployment.` };
  }
  if (allowed.includes(user.id)) return { allowed: true, via: `user ${user.id}` };
  const unreadable: string[] = [];
  for (const group of allowed.filter(isUserGroupId)) {
    if (!groups) {
      unreadable.push(group);
      continue;
    }
    try {
      if ((await groups.members(group)).includes(user.id))
        return { allowed: true, via: `user group ${group}` };
    } catch {
      unreadable.push(group);
    }
  }
  const who = allowed.map((id) => (isUserGroupId(id) ? `<!subteam^${id}>` : `<@${id}>`)).join(', ');
  return {
    allowed: false,
    reason:
      unreadable.length > 0
        ? `You are not on the allowlist for ${action}, and the membership of ${unreadable.join(', ')} could not be read just now; nothing was changed. Try again, or ask one of: ${who}.`
        : `You are not allowed to ${action} from Slack; nothing was changed. Ask one of: ${who}.`,
  };
}
