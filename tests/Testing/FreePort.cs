using System.Net;
using System.Net.Sockets;

namespace ImageOrleans.Testing;

public static class FreePort
{
    // Below the kernel's ephemeral range (32768–60999 by default on Linux): a port handed out here is
    // never taken meanwhile by an outgoing connection, which is what made "port 0, then close" race
    // under a busy suite (a silo failing to bind its port with "Address already in use").
    private const int First = 20_000;
    private const int Count = 12_000;

    // Each process starts at its own place and walks on, so parallel test processes rarely meet.
    private static int _next = Random.Shared.Next(Count);

    /// <summary>A loopback port nobody listens on at this moment, outside the range outgoing connections use.</summary>
    public static int Next()
    {
        for (var tries = 0; tries < Count; tries++)
        {
            var port = First + (int)((uint)Interlocked.Increment(ref _next) % Count);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: the next one.
            }
        }

        throw new InvalidOperationException($"No free loopback port between {First} and {First + Count}.");
    }
}
