/**
 * Installs the fake deployment for a test file: every SDK client class the
 * live checks use is mocked (aws-sdk-client-mock) and answers from `world`.
 * Restored after each test by the returned `restore`.
 */
import { SERVICE_FAKES } from './services';
import { FakeWorld, synthesizeFixture, type Restorable, type SynthesizedFixture } from './world';

export interface InstalledFake {
  readonly world: FakeWorld;
  readonly restore: () => void;
}

/** A fresh world over `fixture` with every service fake installed. */
export function installFakeAws(fixture: SynthesizedFixture = synthesizeFixture()): InstalledFake {
  const world = new FakeWorld(fixture);
  const stubs: Restorable[] = SERVICE_FAKES.flatMap((fake) => [...fake(world)]);
  return { world, restore: () => stubs.forEach((s) => s.restore()) };
}
