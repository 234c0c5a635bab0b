using Kong.Pdk.Hosting;

// Hand-written entry point, standing in until the source generator writes it.
return await KongPluginHost.RunAsync(args, HelloPlugin.HelloPlugin.Descriptor);
