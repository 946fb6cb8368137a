import PathwayGateway
print("pathway-gateway")
