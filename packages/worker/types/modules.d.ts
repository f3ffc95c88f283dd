/** wrangler turns an imported .wasm file into a precompiled WebAssembly.Module. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}

