import { useEffect, useRef, useState } from 'react';
import type { RouterOutputs } from '../api/trpc-client';
import { api } from '../api/trpc-client';
import type { RunnerProfile } from './runner-store';

export type OidcProvider = RouterOutputs['runner']['profiles']['oidc']['providers'][number];

/**
 * The identity providers a profile's runner offers (none while unknown or if it cannot be
 * reached: the screen's other form reports that), and `current`, the flow at a provider in
 * progress: canceled if the screen goes away, and there to tell a cancel from a failure.
 */
export function useOidcProviders(profile: RunnerProfile) {
  const [providers, setProviders] = useState<OidcProvider[]>([]);
  const current = useRef<string | null>(null);

  useEffect(() => {
    let live = true;
    api.runner.profiles.oidc.providers.query({ profileId: profile.id }).then(
      (list) => live && setProviders(list),
      () => live && setProviders([]),
    );
    return () => {
      live = false;
    };
  }, [profile.id, profile.baseUrl]);

  useEffect(
    () => () => {
      if (current.current) void api.runner.profiles.oidc.cancel.mutate({ flowId: current.current });
    },
    [],
  );
  return { providers, current };
}
