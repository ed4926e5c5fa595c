// A lazily loaded page that renders at once when its code is already here. React.lazy suspends on first
// render even for a module loaded in advance, and React then holds the page back for its Suspense reveal
// throttle (300 ms); preloading the current page at boot and rendering it directly avoids both.
import { lazy, type ComponentType } from 'react';

export function lazyPage<P extends object>(load: () => Promise<{ default: ComponentType<P> }>) {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<{ default: ComponentType<P> }> | undefined;
  const preload = () =>
    (pending ??= load().then((module) => {
      loaded = module.default;
      return module;
    }));
  const Lazy = lazy(preload);
  function Page(props: P) {
    const Loaded = loaded;
    return Loaded ? <Loaded {...props} /> : <Lazy {...props} />;
  }
  return { Page, preload };
}
