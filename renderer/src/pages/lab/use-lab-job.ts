import { useEffect, useRef, useState } from 'react';
import type { LabJobState } from '../../../../shared/api';
import { api, toApiError, type ApiError } from '../../api/client';

/**
 * The running lab job of this window (training or scoring), kept outside the page so leaving the lab
 * and coming back finds it still followed. The main process runs one job at a time.
 */
let current: LabJobState | null = null;

/**
 * Follows a lab job until it ends: polls lab.job about twice a second while it runs; `onEnd` is
 * called once with its last state (done, failed or cancelled).
 */
export function useLabJob(kind: LabJobState['kind'], onEnd: (job: LabJobState) => void) {
  const [job, setJob] = useState<LabJobState | null>(current?.kind === kind ? current : null);
  const [error, setError] = useState<ApiError | undefined>();
  const end = useRef(onEnd);
  end.current = onEnd;
  const running = job?.state === 'running';
  const jobId = job?.jobId;

  useEffect(() => {
    if (!running || !jobId) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await api('lab.job', { jobId });
        if (!live) return;
        current = next.state === 'running' ? next : null;
        setJob(next);
        if (next.state === 'running') timer = setTimeout(poll, 500);
        else end.current(next);
      } catch (e) {
        if (!live) return;
        current = null;
        setError(toApiError(e));
        setJob(null);
      }
    };
    timer = setTimeout(poll, 300);
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
    };
  }, [running, jobId]);

  return {
    job,
    error,
    /** Starts following a job a call just began. */
    follow: (j: LabJobState) => {
      current = j.state === 'running' ? j : null;
      setError(undefined);
      setJob(j);
      if (j.state !== 'running') end.current(j);
    },
    clear: () => setJob(null),
    cancel: async () => {
      if (!jobId) return;
      try {
        const j = await api('lab.cancel', { jobId });
        current = null;
        setJob(j);
        end.current(j);
      } catch (e) {
        setError(toApiError(e));
      }
    },
  };
}
