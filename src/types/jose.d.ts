// jose ships ESM with its types behind package "exports", which this project's `node` module resolution
// does not read; Node 20.19+ loads the ESM build through require(). This points the compiler at its types.
declare module 'jose' {
  export * from 'jose/dist/types/index';
}
