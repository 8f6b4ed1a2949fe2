// What jsdom lacks and Headlamp's views use: IndexedDB (the request path
// awaits it) and ResizeObserver (recharts in the Nodes list).
import 'fake-indexeddb/auto';

globalThis.ResizeObserver ??= class {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
};
