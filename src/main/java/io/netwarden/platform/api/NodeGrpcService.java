package io.netwarden.platform.api;

import io.netwarden.platform.NodeIdentity;
import io.netwarden.proto.platform.v1.GetNodeRequest;
import io.netwarden.proto.platform.v1.Node;
import io.netwarden.proto.platform.v1.NodeService;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;

/** gRPC twin of {@code GET /api/v1/node}. */
@GrpcService
public class NodeGrpcService implements NodeService {

    @Inject
    NodeIdentity node;

    @Override
    public Uni<Node> getNode(GetNodeRequest request) {
        return Uni.createFrom().item(Node.newBuilder().setName(node.name()).setInstance(node.instance())
                .addAllRoles(node.roles().ids()).setVersion(node.version()).build());
    }
}
