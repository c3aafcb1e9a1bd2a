module pgcluster.local/pause

go 1.22
