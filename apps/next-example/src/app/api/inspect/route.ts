import type { NextRequest } from 'next/server';
import { getRuntime } from '../../../lib/runtime';

/**
 * What the end-to-end test checks: a visitor's assignment rows and captured events. Only
 * served when `FACTOREDUI_EXAMPLE_INSPECT=1` (it reads other users' data with the service role).
 */
export async function GET(request: NextRequest): Promise<Response> {
  if (process.env.FACTOREDUI_EXAMPLE_INSPECT !== '1')
    return Response.json({ error: 'set FACTOREDUI_EXAMPLE_INSPECT=1 to enable' }, { status: 404 });
  const userId = request.nextUrl.searchParams.get('userId');
  if (!userId) return Response.json({ error: 'pass ?userId=' }, { status: 400 });
  const { service } = await getRuntime();
  const [assignments, events] = await Promise.all([
    service.listAssignments({ userId }),
    service.listEvents({ userId }),
  ]);
  return Response.json({
    assignments,
    events: events.map((event) => ({ type: event.type, path: event.path })),
  });
}
