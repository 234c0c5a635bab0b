'use strict';

// The JS twin of samples/HelloPlugin, for benchmarks/run-comparison.sh: in access, (calls - 1) times
// kong.request.get_header("host"), then kong.response.set_header("x-hello-from-dotnet", "Dotnet says <message> to <host>").
// With the default calls = 2 it makes exactly HelloPlugin's calls, byte for byte the same header value.
class HelloPlugin {
  constructor(config) {
    this.config = config
    this.message = config.message || 'hello'
    this.calls = Math.max(1, config.calls || 2)
  }

  async access(kong) {
    let host
    for (let i = 0; i < this.calls - 1; i++) {
      host = await kong.request.getHeader('host')
    }
    await kong.response.setHeader('x-hello-from-dotnet', `Dotnet says ${this.message} to ${host}`)
  }
}

module.exports = {
  Plugin: HelloPlugin,
  Name: 'hello-js',
  Schema: [
    { message: { type: 'string', default: 'hello' } },
    { calls: { type: 'integer', default: 2 } },
  ],
  Version: '0.1.0',
  Priority: 1000,
}
