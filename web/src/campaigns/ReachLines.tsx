// A reach summary as lines: one per channel with its numbers, then who has no address and the total. Each
// number carries `data-reach` (`reachable`, a skip reason, `no_address`, `total`) and `data-count`, for tests.
// Shared by the launch dialog and the audience builder's preview.
import { Fragment } from 'react';

import { describeReach, type Reach, type ReachWording } from './reach';
import type { SendChannel } from './shared';

export function ReachLines({
  reach,
  channel,
  wording = 'campaign',
}: {
  reach: Reach;
  channel: SendChannel;
  wording?: ReachWording;
}) {
  const summary = describeReach(reach, channel, wording);
  return (
    <>
      {summary.empty && <p>{summary.empty}</p>}
      {summary.lines.length > 0 && (
        <ul className="space-y-1">
          {summary.lines.map((line) => (
            <li key={line.channel} data-reach-channel={line.channel}>
              <span className="font-medium text-slate-900">{line.label}:</span>{' '}
              {line.parts.map((part, i) => (
                <Fragment key={part.key}>
                  {i > 0 && ' · '}
                  <span className="tabular-nums" data-reach={part.key} data-count={part.count}>
                    {part.text}
                  </span>
                </Fragment>
              ))}
            </li>
          ))}
        </ul>
      )}
      {summary.noAddress && (
        <p className="tabular-nums" data-reach="no_address" data-count={reach.no_address}>
          {summary.noAddress}
        </p>
      )}
      {summary.total && (
        <p className="font-medium text-slate-900 tabular-nums" data-reach="total" data-count={reach.reachable}>
          {summary.total}
        </p>
      )}
    </>
  );
}
