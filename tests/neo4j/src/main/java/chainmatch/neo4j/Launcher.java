package chainmatch.neo4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * A throwaway Neo4j Community server for development and tests.
 *
 * <p>Usage: {@code Launcher --data DIR [--port 7687] [--pagecache-mb 128]}. Binds Bolt to
 * 127.0.0.1 only, with authentication disabled (any credentials are accepted), prints
 * {@code chainmatch-neo4j ready bolt://127.0.0.1:PORT} once it accepts connections, and
 * shuts the database down cleanly on SIGTERM/SIGINT.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        int port = 7687;
        Path data = null;
        long pagecacheMb = 128;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (i + 1 >= args.length) {
                usage("missing value for " + a);
            }
            switch (a) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--data" -> data = Path.of(args[++i]);
                case "--pagecache-mb" -> pagecacheMb = Long.parseLong(args[++i]);
                default -> usage("unknown argument " + a);
            }
        }
        if (data == null) {
            usage("--data is required");
        }
        Files.createDirectories(data);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(data)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pagecacheMb))
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(10))
                // a test server: do not linger 5 s per pool on shutdown
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("chainmatch-neo4j stopping");
            dbms.shutdown();
            stopped.countDown();
        }, "chainmatch-neo4j-shutdown"));
        // touch the default database so it is online before we say ready
        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");
        System.out.println("chainmatch-neo4j ready bolt://127.0.0.1:" + port);
        System.out.flush();
        stopped.await();
    }

    private static void usage(String why) {
        System.err.println("chainmatch-neo4j: " + why);
        System.err.println("usage: Launcher --data DIR [--port 7687] [--pagecache-mb 128]");
        System.exit(2);
    }
}
