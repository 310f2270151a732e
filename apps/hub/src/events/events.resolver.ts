import { Args, Query, Resolver } from '@nestjs/graphql';
import type { Principal } from '@flotilla/database';
import { AuthException, AuthExceptionCode } from '../auth/auth.exception.js';
import { CurrentPrincipal } from '../auth/current-principal.decorator.js';
import { RequireRole } from '../auth/require-role.decorator.js';
import { InvalidInputException } from '../common/invalid-input.exception.js';
import { decodeCursor, pageSize, ROW_ID_PATTERN, toPage, type Page } from '../graphql/pagination.js';
import { EventModel, EventPageModel } from './dtos/event.model.js';
import { EventsArgs } from './dtos/events.args.js';
import { EventRepository, type EventFilter } from './event.repository.js';
import { EVENT_KINDS, isEventKind } from './event.types.js';

const SUBJECT = /^[A-Za-z0-9][A-Za-z0-9._:-]*(\/[A-Za-z0-9][A-Za-z0-9._:-]*)*$/;

/** Reads the filters of the events query, naming the argument that is wrong. */
export function eventFilterFrom(args: EventsArgs): EventFilter {
  const { kind, subject, since, until } = args;
  if (kind != null && !isEventKind(kind)) {
    throw new InvalidInputException('kind', `unknown event kind "${kind.slice(0, 64)}"; expected one of ${EVENT_KINDS.join(', ')}`);
  }
  if (subject != null && (subject.length > 512 || !SUBJECT.test(subject))) {
    throw new InvalidInputException('subject', 'expected a path such as cluster/prod-1 or bundle/web/cluster/prod-1');
  }
  if (since && until && since >= until) throw new InvalidInputException('until', 'must be after since');
  return { kind: kind ?? undefined, subject: subject ?? undefined, since: since ?? undefined, until: until ?? undefined };
}

@Resolver(() => EventModel)
export class EventsResolver {
  constructor(private readonly repository: EventRepository) {}

  @Query(() => EventPageModel, {
    description: 'The timeline of state changes and API actions, newest first, filtered and paged. API actions (api.action, from the audit log) are shown to admins only.',
  })
  @RequireRole('viewer')
  async events(@Args() args: EventsArgs, @CurrentPrincipal() principal: Principal): Promise<Page<EventModel>> {
    const first = pageSize(args.first);
    const admin = principal.role === 'admin';
    if (args.kind === 'api.action' && !admin) throw new AuthException(AuthExceptionCode.Forbidden, 'api.action events (the audit trail) require the admin role');
    const filter = { ...eventFilterFrom(args), hiddenKinds: admin ? [] : ['api.action'] };
    const after = args.after ? decodeCursor(args.after, ['string', 'string']) : undefined;
    if (after && (!ROW_ID_PATTERN.test(after[1] as string) || Number.isNaN(Date.parse(after[0] as string)))) {
      throw new InvalidInputException('after', 'is not a cursor of this list');
    }
    const { rows, total } = await this.repository.page(filter, first + 1, after ? { occurredAt: after[0] as string, id: after[1] as string } : undefined);
    return toPage(rows, first, args.after, total, (row) => [row.positionTime, row.id], ({ id, kind, subject, occurredAt, data }) => ({ id, kind, subject, occurredAt, data: { ...data } }));
  }
}
