terraform {
  # check blocks need 1.5
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # v6: data.aws_region.current.region (v5 called it .name, deprecated in v6)
      version = ">= 6.0"
    }
    gwtrigger = {
      source  = "gwtrigger/gwtrigger"
      version = "~> 0.1"
    }
  }
}
